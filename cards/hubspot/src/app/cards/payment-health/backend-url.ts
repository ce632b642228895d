/**
 * Origin of the CSM Payments backend that the card calls through `hubspot.fetch`. HubSpot rejects any
 * URL whose origin is not listed in `permittedUrls.fetch` of app-hsmeta.json, so this value must equal
 * the public base URL that scripts/hubspot-project.ts writes there.
 */
// TODO: have scripts/hubspot-project.ts write this file from --public-base-url, so that a deployed card
// calls the deployment's HTTPS origin instead of this checked-in development origin.
export const BACKEND_BASE_URL = 'http://localhost:3000';
