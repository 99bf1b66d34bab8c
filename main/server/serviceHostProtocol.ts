/**
 * Messages between the Electron main process and the worker thread that hosts Med3dService, so
 * that scan decoding, phantom generation, weights parsing and label compression never run on
 * Electron's main event loop. Plain data only (structured clone).
 */
import type { ResponseEnvelope } from '../../common/api/errors';
import type { AppInfo } from '../../common/api/types';
import type { ChooseFileRequest } from '../../common/api/requests';

/** Options of the hosted service (the serialisable part of Med3dServiceOptions). */
export interface ServiceHostInit {
  mode: 'electron' | 'web';
  version: string;
  workspace: string;
  roots: string[];
  configDir: string | null;
  initialOpen: AppInfo['initialOpen'];
  tasksDir?: string;
  engineWorkerEntry?: string;
  /** The host answers 'dialog' requests (native dialogs live in the main process). */
  nativeDialogs: boolean;
  /** Start the engine backend ladder for getAppInfo (default true). */
  engineInfo?: boolean;
}

export type ToServiceHost =
  | { t: 'call'; id: number; method: string; payload: unknown }
  | { t: 'grant'; id: number; path: string }
  | { t: 'dialogResult'; id: number; path: string | null }
  | { t: 'dispose' };

export type FromServiceHost =
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'result'; id: number; env: ResponseEnvelope }
  | { t: 'granted'; id: number; path?: string; error?: string }
  | { t: 'event'; event: string; payload: unknown }
  | { t: 'dialog'; id: number; purpose: ChooseFileRequest['purpose'] }
  | { t: 'log'; message: string }
  | { t: 'disposed' };
