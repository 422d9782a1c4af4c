// The AbortSignal of every renderer request main is answering, by page and
// request id, so that a cancel message from the page (IPC_CANCEL_CHANNEL)
// or the page going away (closed, reloaded, navigated) aborts the engine
// work behind it. Plain bookkeeping with no Electron in it, so it is tested
// here; main wires it to ipcMain and the webContents' events.

export class RequestSignals {
  private readonly pages = new Map<number, Map<number, AbortController>>();

  /** The signal of a request that starts now; call end() when it is answered. */
  begin(pageId: number, requestId: unknown): AbortSignal {
    const controller = new AbortController();
    if (typeof requestId !== 'number' || !Number.isSafeInteger(requestId)) return controller.signal;
    let requests = this.pages.get(pageId);
    if (!requests) {
      requests = new Map();
      this.pages.set(pageId, requests);
    }
    requests.get(requestId)?.abort();
    requests.set(requestId, controller);
    return controller.signal;
  }

  end(pageId: number, requestId: unknown, signal: AbortSignal): void {
    const requests = this.pages.get(pageId);
    if (typeof requestId !== 'number' || requests?.get(requestId)?.signal !== signal) return;
    requests.delete(requestId);
    if (requests.size === 0) this.pages.delete(pageId);
  }

  /** The page withdrew one request. */
  cancel(pageId: number, requestId: unknown): void {
    if (typeof requestId === 'number') this.pages.get(pageId)?.get(requestId)?.abort();
  }

  /** The page went away: every request it had running is cancelled. */
  cancelPage(pageId: number): void {
    const requests = this.pages.get(pageId);
    this.pages.delete(pageId);
    for (const controller of requests?.values() ?? []) controller.abort();
  }

  /** Requests being answered now (for tests). */
  get size(): number {
    let total = 0;
    for (const requests of this.pages.values()) total += requests.size;
    return total;
  }
}
