/** Microsoft Voice Extensions: only NITZ, the network's time and zone (what mbimcli 1.28 asks it). */
import { cid, service } from '../service.js';
import { EMPTY, struct, u32 } from '../schema.js';
import { DataClass } from './basic-connect.js';

export const Nitz = struct({
  year: u32, month: u32, day: u32, hour: u32, minute: u32, second: u32,
  timeZoneOffsetMinutes: u32, daylightSavingTimeOffsetMinutes: u32, dataClass: DataClass,
});

export const msVoiceExtensions = service('ms-voice-extensions', '8d8b9eba-37be-449b-8f1e-61cb034a702e', {
  nitz: cid(10, { query: EMPTY, response: Nitz, notification: Nitz }),
});
