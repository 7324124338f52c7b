// One requestAnimationFrame loop for the whole page. Ticks arrive far more often than the screen
// refreshes (50 symbols at 10 ticks/s is 500 a second); handlers only record state and ask for a
// frame, and each view writes the DOM once per frame for what changed since the last one.

const flushers = new Set();
let requested = false;

/** Registers a view's per-frame writer; it is called with the frame's timestamp. */
export function onFrame(flush) {
  flushers.add(flush);
}

/** Asks for one more frame; any number of calls before it comes make one frame. */
export function requestFrame() {
  if (requested) return;
  requested = true;
  requestAnimationFrame(run);
}

function run(now) {
  requested = false;
  for (const flush of flushers) {
    try {
      flush(now);
    } catch (e) {
      // One broken view must not stop the others from painting.
      console.error('frame', e);
    }
  }
}
