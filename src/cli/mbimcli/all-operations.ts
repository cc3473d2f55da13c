/** Every `wwan mbimcli` action, by service. */
import { basicConnectRadioOperations } from './basic-connect-radio.js';
import { msOperations } from './ms-operations.js';
import { msProvisioningOperations } from './ms-provisioning-operations.js';
import { msUiccOperations } from './ms-uicc-operations.js';
import { basicConnectOperations, type Operation } from './operations.js';

export const operations: readonly Operation[] = [...basicConnectOperations, ...basicConnectRadioOperations, ...msOperations, ...msProvisioningOperations, ...msUiccOperations];
