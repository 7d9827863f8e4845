import type { AccessKeyRecord, AccountInfo, ActionContext, EmulatorClock, EmulatorSettings } from '../types.ts';
import { EmulatorApiError } from '../types.ts';
import type { Scenario } from './scenario.ts';
import { REGIONS } from './regions.ts';

/** The in-memory PrivateLink model (first cut: signatures only; actions follow). */
export class PrivateLinkModel {
  readonly accounts: AccountInfo[];
  private readonly keys = new Map<string, AccessKeyRecord>();

  constructor(
    scenario: Scenario,
    readonly clock: EmulatorClock,
    readonly settings: EmulatorSettings,
  ) {
    this.accounts = scenario.accounts.map((a) => ({
      accountId: a.accountId,
      name: a.name,
      accessKeys: a.accessKeys.map((k) => ({ ...k, accountId: a.accountId })),
    }));
    for (const a of this.accounts) for (const k of a.accessKeys) this.keys.set(k.accessKeyId, k);
  }

  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.keys.get(accessKeyId);
  }

  isConnectionWrite(action: string): boolean {
    return action === 'EnableVpcEndpointConnection' || action === 'DisableVpcEndpointConnection' || action === 'UpdateVpcEndpointConnectionAttribute';
  }

  dispatch(action: string, _params: Record<string, string>, _ctx: ActionContext): Record<string, unknown> {
    throw new EmulatorApiError('InvalidAction.NotFound', `Specified api is not found, please check your url and method. (${action})`, 404);
  }

  snapshot(): unknown {
    return { accounts: this.accounts.map((a) => ({ accountId: a.accountId, name: a.name })) };
  }

  regions(): string[] {
    return REGIONS.map((r) => r.regionId);
  }
}
