/**
 * Live mode never waits. These pure rules decide what happens to a frame when the model or a viewer
 * is busy; the session and broadcast code only apply them.
 */

/** A one-slot mailbox: the newest frame wins. */
export interface LatestSlot<T> {
  /** The frame waiting for the model, if any. */
  pending: T | undefined;
  /** Id of the last frame accepted into the slot; older ids are stale. */
  lastId: number;
}

export function emptySlot<T>(): LatestSlot<T> {
  return { pending: undefined, lastId: -1 };
}

/**
 * Offers a frame with id `id`. Returns the new slot and how many frames were dropped: the frame that
 * was waiting (superseded) or the offered one itself when it is older than one already seen (out of
 * order), so frames keep their order.
 */
export function offerLatest<T>(slot: LatestSlot<T>, item: T, id: number): { slot: LatestSlot<T>; dropped: number } {
  if (id <= slot.lastId) return { slot, dropped: 1 };
  return { slot: { pending: item, lastId: id }, dropped: slot.pending === undefined ? 0 : 1 };
}

/** Takes the waiting frame out of the slot. */
export function takeLatest<T>(slot: LatestSlot<T>): { slot: LatestSlot<T>; item: T | undefined } {
  return { slot: { pending: undefined, lastId: slot.lastId }, item: slot.pending };
}

/**
 * A viewer whose socket still holds more than `thresholdBytes` unsent is skipped for this frame
 * instead of queued for, so one slow viewer never slows the others.
 */
export function shouldSkipViewer(bufferedAmount: number, thresholdBytes: number): boolean {
  return bufferedAmount > thresholdBytes;
}

/** Frames out must keep their order: send only if newer than the last sent. */
export function isInOrder(frameId: number, lastSentId: number): boolean {
  return frameId > lastSentId;
}
