/** qmicli's UIM operations. */
import {
  uim,
  UimCardApplicationPersonalizationState,
  UimCardApplicationState,
  UimCardApplicationType,
  UimCardError,
  UimCardState,
  UimPinState,
} from '../../qmi/services/uim.js';
import { action, ask, enumName, q, yesNo } from './action.js';

/** A provisioning session index: slot in the high byte, application in the low byte; 0xFFFF = none. */
const session = (label: string, index: number): string =>
  index === 0xffff ? `\t${label}session doesn't exist\n` : `\t${label}slot '${((index >> 8) & 0xff) + 1}', application '${(index & 0xff) + 1}'\n`;

const hexColon = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');

export const uimActions = [
  action({
    option: { long: 'uim-get-card-status', arg: 'none' },
    service: uim,
    async run(ctx) {
      const r = await ask('get card status', ctx.client.request(uim.messages.getCardStatus, {}));
      let out = `${ctx.tag} Successfully got card status\n`;
      const cs = r.cardStatus;
      if (cs) {
        out += 'Provisioning applications:\n';
        out += session('Primary GW:   ', cs.indexGwPrimary);
        out += session('Primary 1X:   ', cs.index1xPrimary);
        out += session('Secondary GW: ', cs.indexGwSecondary);
        out += session('Secondary 1X: ', cs.index1xSecondary);
        cs.cards.forEach((card, i) => {
          out += `Slot [${i + 1}]:\n`;
          if (card.cardState !== UimCardState.names.error) out += `\tCard state: ${q(enumName(UimCardState, card.cardState))}\n`;
          else out += `\tCard state: '${enumName(UimCardState, card.cardState)}: ${enumName(UimCardError, card.errorCode)} (${card.errorCode})'\n`;
          out += `\tUPIN state: ${q(enumName(UimPinState, card.upinState))}\n\t\tUPIN retries: '${card.upinRetries}'\n\t\tUPUK retries: '${card.upukRetries}'\n`;
          card.applications.forEach((app, j) => {
            out += `\tApplication [${j + 1}]:\n`;
            out += `\t\tApplication type:  '${enumName(UimCardApplicationType, app.type)} (${app.type})'\n`;
            out += `\t\tApplication state: ${q(enumName(UimCardApplicationState, app.state))}\n`;
            out += `\t\tApplication ID:\n\t\t\t${hexColon(app.applicationIdentifierValue)}\n`;
            out += `\t\tPersonalization state: ${q(enumName(UimCardApplicationPersonalizationState, app.personalizationState))}\n`;
            out += `\t\tUPIN replaces PIN1: ${q(yesNo(app.upinReplacesPin1))}\n`;
            out += `\t\tPIN1 state: ${q(enumName(UimPinState, app.pin1State))}\n\t\t\tPIN1 retries: '${app.pin1Retries}'\n\t\t\tPUK1 retries: '${app.puk1Retries}'\n`;
            out += `\t\tPIN2 state: ${q(enumName(UimPinState, app.pin2State))}\n\t\t\tPIN2 retries: '${app.pin2Retries}'\n\t\t\tPUK2 retries: '${app.puk2Retries}'\n`;
          });
        });
      }
      ctx.print(out);
    },
  }),
];
