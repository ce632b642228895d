/** Picks the Slack channel of an alert: the CRM owner's channel, else a segment's, else the default. */
import type { AlertSettings, SegmentRoute } from './settings';

export interface RoutingTarget {
  crmOwnerId: string | null;
  currency: string | null;
  mrrMinor: number;
}

export type RouteResult =
  { channel: string; routedBy: 'owner' | 'segment' | 'default' } | { channel: null; reason: 'no_channel' };

function segmentMatches(segment: SegmentRoute, target: RoutingTarget): boolean {
  if (target.currency !== segment.currency) return false;
  if (segment.minMrrMinor !== undefined && target.mrrMinor < segment.minMrrMinor) return false;
  return segment.maxMrrMinor === undefined || target.mrrMinor < segment.maxMrrMinor;
}

/** Routes one alert; returns `no_channel` when no route and no default channel is set. */
export function routeAlert(settings: AlertSettings, target: RoutingTarget): RouteResult {
  const ownerChannel = target.crmOwnerId ? settings.channelsByOwner[target.crmOwnerId] : undefined;
  if (ownerChannel) return { channel: ownerChannel, routedBy: 'owner' };

  const segment = settings.channelsBySegment.find((candidate) => segmentMatches(candidate, target));
  if (segment) return { channel: segment.channel, routedBy: 'segment' };

  if (settings.defaultChannel) return { channel: settings.defaultChannel, routedBy: 'default' };
  return { channel: null, reason: 'no_channel' };
}
