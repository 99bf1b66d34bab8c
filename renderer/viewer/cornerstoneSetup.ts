import { init as csInit } from '@cornerstonejs/core';
import { init as toolsInit, addTool, CrosshairsTool, PanTool, ZoomTool, StackScrollTool, WindowLevelTool } from '@cornerstonejs/tools';

let ready: Promise<void> | null = null;

/** Initialises cornerstone3D core + tools once per page and registers the tools the viewer uses. */
export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    await csInit();
    toolsInit();
    for (const t of [CrosshairsTool, PanTool, ZoomTool, StackScrollTool, WindowLevelTool]) addTool(t);
  })();
  return ready;
}
