/**
 * When the viewer should send its next camera frame. The server keeps only the newest frame, so
 * frames sent faster than the model takes them are encoded, sent and decoded for nothing (CPU the
 * model needs when browser and server share a machine), and a frame that arrives early waits in the
 * server's slot (latency). The ideal frame arrives just as a model lane frees up.
 *
 * The server says, each time a lane takes a frame, how long that frame waited and how long the lane
 * had been idle, and how long the lane will now be busy (`took`). The pacer schedules the next frame
 * for when that lane frees up, minus a lead for the frame's trip (encode, network, decode), and
 * learns the lead from the feedback: a frame that waited means the lead is too long, an idle lane
 * means it is too short. A watchdog resends when no feedback comes (a frame lost on the way), and a
 * frame goes out at once while fewer frames are in flight than the server has lanes (the start).
 *
 * The frame should arrive a cushion before the lane frees, and the cushion follows the measured
 * jitter of the arrivals: a frame late by x ms idles the model x ms (fps lost), one early by x ms
 * waits x ms (latency, no fps lost), so the pacer aims about two mean deviations early. A fixed 5 ms
 * cushion left the model idle 3–12 ms a frame on a busy one-core server, where the event loop that
 * receives frames shares the core with the model. The cushion is capped (10% of the model's time,
 * 25 ms) so that latency stays bounded: on that server it cut the model's idle time per frame from
 * 3–12 ms to 0–3 ms for 15–20 ms more latency.
 *
 * Pure: times are passed in (ms on one clock); the viewer owns the timers.
 */

export interface SendPacerOptions {
  /** The first estimate of a frame's trip from the viewer to the server's slot (ms). */
  initialLeadMs: number;
  /** The least a frame should wait in the slot, as a cushion against jitter (ms). Default: 5. */
  targetWaitMs?: number;
  /** The cushion in mean deviations of the arrival time (see jitterMs); 0 keeps it at targetWaitMs. Default: 2. */
  jitterFactor?: number;
  /** The largest cushion, as a share of the model's time per frame. Default: 0.1. */
  maxCushionShare?: number;
  /** The largest cushion (ms). Default: 25. */
  maxCushionMs?: number;
  /** Share of each error corrected per frame (0–1). Default: 0.5. */
  gain?: number;
}

export interface TookFeedback {
  /** How long the frame waited in the server's slot (ms). */
  waitedMs: number;
  /** How long the lane had been idle before the frame arrived (ms). */
  idleMs: number;
  /** How long the lane is expected to be busy with it (ms). */
  modelMs: number;
}

export class SendPacer {
  /** Estimated trip of a frame from send to the server's slot (ms). */
  leadMs: number;
  /**
   * Mean deviation of the arrival time between consecutive frames (ms), smoothed as RTP's
   * interarrival jitter is (RFC 3550, 1/16 per frame).
   */
  jitterMs = 0;
  private readonly targetWaitMs: number;
  private readonly jitterFactor: number;
  private readonly maxCushionShare: number;
  private readonly maxCushionMs: number;
  private readonly gain: number;
  /** The last frame's arrival relative to its lane freeing up (ms; > 0 early, < 0 late). */
  private lastEarlyMs: number | undefined;
  /** Send times the server has not acknowledged yet (oldest first). */
  private unacked: number[] = [];
  /** Scheduled send times, one per lane that will free up (earliest first). */
  private due: number[] = [];
  private lanes = 1;
  private lastModelMs = 100;

  constructor(options: SendPacerOptions) {
    this.leadMs = options.initialLeadMs;
    this.targetWaitMs = options.targetWaitMs ?? 5;
    this.jitterFactor = options.jitterFactor ?? 2;
    this.maxCushionShare = options.maxCushionShare ?? 0.1;
    this.maxCushionMs = options.maxCushionMs ?? 25;
    this.gain = options.gain ?? 0.5;
  }

  /** How early a frame is aimed to arrive before its lane frees up (ms). */
  cushionMs(): number {
    return Math.max(this.targetWaitMs, Math.min(this.jitterFactor * this.jitterMs, this.maxCushionShare * this.lastModelMs, this.maxCushionMs));
  }

  /** The server's lane count (frames it runs at once). */
  setLanes(lanes: number): void {
    this.lanes = Math.max(1, Math.floor(lanes));
  }

  /** A lane took a frame at `now` (when the feedback arrived): learn, and schedule the next send. */
  onTook(feedback: TookFeedback, now: number): void {
    this.unacked.shift();
    const modelMs = Number.isFinite(feedback.modelMs) && feedback.modelMs > 0 ? feedback.modelMs : this.lastModelMs;
    this.lastModelMs = modelMs;
    // How early the frame was: it waited (> 0), or the lane idled for it (< 0).
    const earlyMs = feedback.waitedMs - feedback.idleMs;
    if (this.lastEarlyMs !== undefined) this.jitterMs += (Math.abs(earlyMs - this.lastEarlyMs) - this.jitterMs) / 16;
    this.lastEarlyMs = earlyMs;
    this.leadMs -= this.gain * (earlyMs - this.cushionMs());
    this.leadMs = Math.min(Math.max(this.leadMs, 0), modelMs);
    this.due.push(now + modelMs - this.leadMs);
    this.due.sort((a, b) => a - b);
    // One scheduled send per lane at most: older schedules were for frames already on their way.
    while (this.due.length > this.lanes) this.due.shift();
  }

  /**
   * Whether to send a frame now: a scheduled time has come, fewer frames are unacknowledged than
   * there are lanes, or nothing came back for a while (`watchdogMs`: a frame or its feedback was lost).
   */
  shouldSend(now: number, watchdogMs = Math.max(500, 3 * this.lastModelMs)): boolean {
    this.unacked = this.unacked.filter((t) => now - t < watchdogMs);
    if (this.unacked.length < this.lanes && this.due.length === 0) return true;
    const next = this.due[0];
    return next !== undefined && now >= next;
  }

  /** A frame was sent at `now`. */
  onSent(now: number): void {
    this.unacked.push(now);
    this.due.shift();
  }

  /** Milliseconds from `now` until the next scheduled send, or null when none is scheduled. */
  nextDueIn(now: number): number | null {
    const next = this.due[0];
    return next === undefined ? null : Math.max(0, next - now);
  }
}
