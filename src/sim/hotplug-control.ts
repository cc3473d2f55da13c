/** Hotplug over the simulator's control socket (`wwan sim ctl plug|unplug`); the Simulator carries them out. */
export const HOTPLUG_CONTROLS: Record<string, string> = {
  plug: 'plug one more modem in: its ports appear (a daemon watching this simulator adds it)',
  unplug: 'unplug a modem (modem=ID): its ports close and go (a daemon watching this simulator removes it)',
};
