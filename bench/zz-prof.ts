import { Simulator } from '../src/sim/simulator.js';
import { PROFILES } from '../src/sim/profiles.js';
const t0 = performance.now();
const s = await Simulator.start({ profile: PROFILES['qmi-rmnet'], modems: 50 });
console.log('50 modems', (performance.now() - t0).toFixed(0), 'ms');
await s.stop();
