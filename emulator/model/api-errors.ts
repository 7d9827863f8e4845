/**
 * The model's API errors, with the codes and messages of the 2020-04-15 reference (each action's error
 * table). Gateway errors (signature, throttling) live in the protocol layer.
 */
import { EmulatorApiError } from '../types.ts';
import type { Phase } from './records.ts';

/** An unknown action (the gateway answers 404, spelled as Alibaba's list of common client errors). */
export function actionNotFound(): EmulatorApiError {
  return new EmulatorApiError(
    'InvalidApi.NotFound',
    'Specified api is not found, please check your url and method.',
    404,
  );
}
export function notFoundService(): EmulatorApiError {
  return new EmulatorApiError('EndpointServiceNotFound', 'The specified Service does not exist.');
}
export function notFoundEndpoint(): EmulatorApiError {
  return new EmulatorApiError('EndpointNotFound', 'The specified Endpoint does not exist.');
}
export function notFoundConnection(): EmulatorApiError {
  return new EmulatorApiError('EndpointConnectionNotFound', 'The specified endpoint connection does not exist.');
}
export function connectionDenied(message: string): EmulatorApiError {
  return new EmulatorApiError('EndpointConnectionOperationDenied', message);
}
export function serviceDenied(): EmulatorApiError {
  return new EmulatorApiError(
    'EndpointServiceOperationDenied',
    'The specified operation of endpoint service is not allowed.',
  );
}
export function endpointDenied(): EmulatorApiError {
  return new EmulatorApiError('EndpointOperationDenied', 'The specified operation of endpoint is not allowed.');
}
export function endpointLocked(): EmulatorApiError {
  return new EmulatorApiError('EndpointLocked', 'The specified Endpoint is locked.');
}
export function serviceLocked(): EmulatorApiError {
  return new EmulatorApiError('EndpointServiceLocked', 'The specified Service is locked.');
}
export function dryRunPassed(): EmulatorApiError {
  return new EmulatorApiError('DryRunOperation', 'Request validation has been passed with DryRun flag set.');
}
export function regionNotFound(regionId: string): EmulatorApiError {
  return new EmulatorApiError('InvalidRegionId.NotFound', `The specified RegionId "${regionId}" does not exist.`, 404);
}
export function zoneNotSupported(): EmulatorApiError {
  return new EmulatorApiError(
    'EndpointServiceNotSupportedZone',
    'The specified endpoint service does not support the zone.',
  );
}
export function vSwitchNotFound(): EmulatorApiError {
  return new EmulatorApiError('VSwitchNotFound', 'The specified VSwitch does not exist.');
}
export function securityGroupNotFound(): EmulatorApiError {
  return new EmulatorApiError('SecurityGroupNotFound', 'The specified security group does not exist.');
}
export function zoneDuplicated(): EmulatorApiError {
  return new EmulatorApiError('EndpointZoneDuplicated', 'The zone is duplicated for the Endpoint.');
}
export function resourceExists(): EmulatorApiError {
  return new EmulatorApiError('EndpointServiceResourceExist', 'The specified resource already exists.');
}

/** Why a connection in `phase` cannot be changed now (EndpointConnectionOperationDenied messages). */
export const BUSY_MESSAGE: Partial<Record<Phase, string>> = {
  accepting: 'The endpoint is being connected.',
  updating: 'The endpoint connection is being modified.',
  disconnecting: 'The endpoint is being disconnected.',
  deleting: 'The endpoint is being deleted.',
  serviceDeleted: 'The endpoint service of the connection has been deleted.',
};
