/**
 * The opening of an eval'd worker (CommonJS) that lowers its own thread's CPU priority. Linux gives each
 * thread its own nice value and /proc/thread-self names the thread; elsewhere this is a no-op.
 */
export function lowerOwnPriority(nice: number): string {
  return `
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, ${nice});
} catch {}
`;
}
