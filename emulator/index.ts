/**
 * The PrivateLink API emulator's public API. See emulator/README.md.
 */
export { startEmulator } from './start-emulator.ts';
export type { RunningEmulator, StartEmulatorOptions } from './start-emulator.ts';
export type { RequestLogEntry } from './request-log.ts';
export { API_VERSION, PRIVATELINK_ACTIONS } from './rpc-server.ts';
export { canonicalQuery, percentEncode, signRpc, stringToSign, verifyRpcSignature } from './signature.ts';
export { ManualClock } from './model/clock.ts';
export { PrivateLinkModel } from './model/private-link-model.ts';
export {
  defaultSettings,
  demoScenario,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  SCENARIOS_DIR,
} from './model/scenario.ts';
export { generateFleet } from './model/fleet-generator.ts';
export type { FleetOptions } from './model/fleet-generator.ts';
export type { Scenario } from './model/scenario.ts';
export * from './types.ts';
export { isLoopback } from './control-path.ts';
export { seededRandom } from './model/ids.ts';
