// The paid chime: two short rising tones made with WebAudio (no audio files to ship or fetch).
let ctx: AudioContext | null = null;

/** Browsers only let a page make sound after a key or a click: call this from one, once. */
export function unlockSound(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === "suspended") void ctx.resume();
  } catch {
    ctx = null; // no audio device: the green band still says it
  }
}

export function playPaid(): void {
  unlockSound();
  const ac = ctx;
  if (!ac) return;
  const start = ac.currentTime + 0.01;
  [880, 1320].forEach((freq, i) => {
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    const t = start + i * 0.14;
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.35, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.13);
    osc.connect(gain).connect(ac.destination);
    osc.start(t);
    osc.stop(t + 0.14);
  });
}
