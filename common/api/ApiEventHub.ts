import type { EventName, Med3dEvents, Unsubscribe } from './Med3dApi';

/**
 * Typed event fan-out on the service side. The service emits; every transport binding
 * (IPC windows, WebSocket clients, in-process clients) subscribes with onAny.
 */
export class ApiEventHub {
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();

  emit<E extends EventName>(event: E, payload: Med3dEvents[E]): void {
    for (const l of [...this.listeners]) {
      try {
        l(event, payload);
      } catch {
        // A broken listener (closed socket, destroyed window) must not stop the others.
      }
    }
  }

  onAny(listener: (event: EventName, payload: unknown) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<E extends EventName>(event: E, cb: (payload: Med3dEvents[E]) => void): Unsubscribe {
    return this.onAny((e, p) => {
      if (e === event) cb(p as Med3dEvents[E]);
    });
  }
}
