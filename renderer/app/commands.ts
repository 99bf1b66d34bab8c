/**
 * The app's commands: one table serves the native menu (MenuCommand events) and the keyboard
 * (shortcutFor). CommandArgs names every command with its argument; because it extends
 * Record<MenuCommand, …>, a menu command added to common/api/types.ts without a handler in
 * the table is a compile error.
 */
import type { MenuCommand } from '../../common/api';

export type Tool = 'windowLevel' | 'crosshairs' | 'pan' | 'zoom' | 'brush' | 'eraser' | 'fill';

/** Argument of each command. Menu commands carry the path the user already chose in a native dialog. */
export interface CommandArgs extends Record<MenuCommand, { path?: string }> {
  tool: { tool: Tool };
  /** Window preset by index in WINDOW_PRESETS. */
  preset: { index: number };
  slice: { delta: number };
  'brush-size': { factor: number };
  'reset-view': object;
  'toggle-outline': object;
  'toggle-labels': object;
}

export type CommandName = keyof CommandArgs;

export type CommandTable = { readonly [K in CommandName]: (arg: CommandArgs[K]) => void };

/** A command with its argument, as the keyboard or the menu asks for it. */
export type Invocation = { [K in CommandName]: { command: K } & CommandArgs[K] }[CommandName];

export function invoke(table: CommandTable, inv: Invocation): void {
  (table[inv.command] as (arg: Invocation) => void)(inv);
}
