/**
 * Which service rule governs an endpoint service. Used by the collector (to pick the services to list
 * connections for) and by `decide` (services no rule governs are ignored). Pure.
 */
import type { EndpointService } from './resources.ts';
import type { Policy, ServiceMatch, ServiceRule } from '../policy/policy.ts';
import { globMatch } from '../policy/glob-match.ts';

/**
 * The first rule, in file order, whose `match` fits `service`; undefined when no rule governs it.
 *
 * - `{kind: 'id'}` fits the service with that ServiceId in that region.
 * - `{kind: 'selector'}` fits a service in that region whose ServiceName and ServiceDescription match the
 *   globs (`*`, `?`, whole string, case-sensitive; an absent glob matches anything) and that carries every
 *   listed tag with exactly that value (extra tags on the service do not matter).
 *
 * Both forms are confined to their region: a rule never governs a service in another region, even one
 * with the same name or ID. First match wins, so a later, broader rule never overrides an earlier one.
 */
export function matchServiceRule(policy: Policy, service: EndpointService): ServiceRule | undefined {
  return policy.services.find((rule) => serviceMatches(rule.match, service));
}

/** Whether one rule's `match` fits `service` (see {@link matchServiceRule}). */
export function serviceMatches(match: ServiceMatch, service: EndpointService): boolean {
  if (match.regionId !== service.regionId) return false;
  if (match.kind === 'id') return match.serviceId === service.serviceId;
  if (match.name !== undefined && !globMatch(match.name, service.serviceName)) return false;
  if (match.description !== undefined && !globMatch(match.description, service.serviceDescription)) return false;
  // Own-property lookup: a tag named `constructor` or `__proto__` must not match an inherited member.
  return Object.entries(match.tags).every(
    ([key, value]) => Object.prototype.hasOwnProperty.call(service.tags, key) && service.tags[key] === value,
  );
}
