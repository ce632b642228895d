import type express from 'express';

/** A note or task created in the emulator, with the company ids it is associated with. */
export interface EmulatedEngagement {
  id: string;
  type: 'notes' | 'tasks';
  properties: Record<string, string>;
  companyIds: string[];
}

interface CreateBody {
  properties?: Record<string, string>;
  associations?: { to?: { id?: string } }[];
}

interface SearchBody {
  filterGroups?: { filters?: { propertyName: string; operator: string; value?: string }[] }[];
}

/**
 * Notes and tasks: create with associations to companies, and search by associated company and
 * `hs_timestamp`, the two lookups the activity writer makes.
 */
export function engagementRoutes(app: express.Express): () => EmulatedEngagement[] {
  const engagements: EmulatedEngagement[] = [];
  let nextId = 5001;

  for (const type of ['notes', 'tasks'] as const) {
    app.post(`/crm/v3/objects/${type}`, (req, res) => {
      const body = req.body as CreateBody;
      const engagement: EmulatedEngagement = {
        id: String(nextId++),
        type,
        properties: { ...(body.properties ?? {}) },
        companyIds: (body.associations ?? []).map((association) => association.to?.id ?? '').filter(Boolean),
      };
      engagements.push(engagement);
      res.status(201).json({ id: engagement.id, properties: engagement.properties, archived: false });
    });

    app.post(`/crm/v3/objects/${type}/search`, (req, res) => {
      const filters = (req.body as SearchBody).filterGroups?.[0]?.filters ?? [];
      const found = engagements.filter(
        (engagement) => engagement.type === type && filters.every((filter) => matches(engagement, filter)),
      );
      res.json({ total: found.length, results: found.map(({ id, properties }) => ({ id, properties })) });
    });
  }

  return () => engagements.map((engagement) => ({ ...engagement, properties: { ...engagement.properties } }));
}

function matches(engagement: EmulatedEngagement, filter: { propertyName: string; value?: string }): boolean {
  if (filter.propertyName === 'associations.company')
    return engagement.companyIds.includes(filter.value ?? '');
  return engagement.properties[filter.propertyName] === filter.value;
}
