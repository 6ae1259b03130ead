/** The only source of time. Tests pass a `FakeClock` to move it. */
export interface Clock {
  /** Epoch seconds. */
  now(): number;
  /** Epoch milliseconds. */
  nowMs(): number;
}

export const systemClock: Clock = {
  now: () => Math.floor(Date.now() / 1000),
  nowMs: () => Date.now(),
};

export class FakeClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return Math.floor(this.ms / 1000);
  }
  nowMs(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
