import { ApiError } from '../../common/api';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** The file the problem is about (ApiError.file), shown under the message. */
  file?: string;
}

/** The few latest messages for the user; info ones go away by themselves, errors stay until dismissed. */
export class Notices {
  list: Notice[] = $state([]);
  private nextId = 0;

  notify(kind: Notice['kind'], message: string, file?: string): void {
    const n = { id: ++this.nextId, kind, message, file };
    this.list = [...this.list.slice(-4), n];
    if (kind === 'info') setTimeout(() => this.dismiss(n.id), 4000);
  }

  /** One line for a failed action: the context, the message and, for an ApiError, the file. */
  fail(e: unknown, context: string): void {
    if (e instanceof ApiError) this.notify('error', `${context}: ${e.message}`, e.file);
    else this.notify('error', `${context}: ${e instanceof Error ? e.message : String(e)}`);
    console.error(context, e);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((x) => x.id !== id);
  }
}
