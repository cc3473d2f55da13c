/**
 * A polkit stand-in on the harness's private bus: ModemManager asks
 * `org.freedesktop.PolicyKit1.Authority.CheckAuthorization` before every state-changing call (enable,
 * connect, report a kernel event); on this root-only bus everyone who can connect is authorized.
 */
import dbus from 'dbus-next';

const AUTHORITY = 'org.freedesktop.PolicyKit1.Authority';

class Authority extends dbus.interface.Interface {
  /** (is_authorized, is_challenge, details) */
  CheckAuthorization(): [boolean, boolean, Record<string, string>] {
    return [true, false, {}];
  }

  CancelCheckAuthorization(): void {}
}
Authority.configureMembers({
  methods: {
    CheckAuthorization: { inSignature: '(sa{sv})sa{ss}us', outSignature: '(bba{ss})' },
    CancelCheckAuthorization: { inSignature: 's', outSignature: '' },
  },
});

/** Owns `org.freedesktop.PolicyKit1` on `bus`. */
export async function servePolkit(bus: dbus.MessageBus): Promise<void> {
  bus.export('/org/freedesktop/PolicyKit1/Authority', new Authority(AUTHORITY));
  const reply = await bus.requestName('org.freedesktop.PolicyKit1', dbus.NameFlag.DO_NOT_QUEUE);
  if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error('org.freedesktop.PolicyKit1 is already owned on the private bus');
}
