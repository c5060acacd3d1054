/**
 * The layer rules (docs/architecture.md), checked by `npm run lint:layers` in `npm test` and CI.
 *
 *   domain/      pure, workflow-safe: the journey format, conditions, time, reports, naming (no I/O)
 *   workflows/   workflow code: domain/, @temporalio/workflow, and the types of activities/
 *   store/       MongoDB: the models and every store, with their record types
 *   temporal/    Temporal as a client: starting and signalling instances, services, schedules, visibility
 *   platform/    process plumbing: config, logging, metrics
 *   activities/  activity factories, over the layers above
 *   api/ worker/ cli/ infra/  entry points
 *   console/     the web console, in the browser: the public API over HTTP; pure domain/ helpers; API types only
 *
 * A layer imports only layers listed before it (platform may read store/mongo for command monitoring).
 * Outside workflows/, only workflows/contract.ts may be imported: clients never load workflow code.
 */
const entryPoints = '^(api|worker|cli|infra)/';
const project = '^(domain|workflows|store|temporal|platform|activities|api|worker|cli|infra)/';
/** Packages that do I/O or need Node: never in domain/ or workflows/. */
const ioPackages =
  '^(mongoose|mongodb|express|pino|pino-pretty|prom-client|firebase-admin|@sendgrid/|swagger-ui-express|commander|@temporalio/(client|worker|activity|testing))';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import circle ties layers together.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ is imported by workflow code: only domain/ and pure packages, no Node built-ins, no I/O.',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/(zod|luxon)/'] },
    },
    {
      name: 'workflows-are-deterministic',
      severity: 'error',
      comment: 'Workflow code runs in the sandbox: @temporalio/workflow, domain/, other workflow modules, and types of activities/.',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^domain/', '^node_modules/@temporalio/(workflow|common)/', '^node_modules/(zod|luxon)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflow-types-only-from-activities',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: project, pathNot: ['^workflows/', '^domain/', '^activities/'] },
    },
    {
      name: 'clients-use-the-contract',
      severity: 'error',
      comment: 'Code outside workflows/ imports workflows/contract.ts only (worker/ registers the bundle by path).',
      from: { path: project, pathNot: '^workflows/' },
      to: { path: '^workflows/', pathNot: '^workflows/contract\\.ts$' },
    },
    { name: 'store-below-clients', severity: 'error', from: { path: '^store/' }, to: { path: project, pathNot: ['^store/', '^domain/'] } },
    {
      name: 'temporal-below-activities',
      severity: 'error',
      from: { path: '^temporal/' },
      to: { path: project, pathNot: ['^temporal/', '^store/', '^domain/', '^workflows/contract\\.ts$'] },
    },
    {
      name: 'platform-below-activities',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: project, pathNot: ['^platform/', '^store/mongo/', '^domain/'] },
    },
    { name: 'activities-below-entry-points', severity: 'error', from: { path: '^activities/' }, to: { path: entryPoints } },
    {
      name: 'entry-points-apart',
      severity: 'error',
      comment: 'api/, worker/, cli/ and infra/ share code through the layers, not through each other.',
      from: { path: '^(api|worker|cli|infra)/' },
      to: { path: entryPoints, pathNot: '^$1/' },
    },
    {
      name: 'cli-talks-http',
      severity: 'error',
      comment: 'The CLI reaches the engine through the API only.',
      from: { path: '^cli/' },
      to: { path: project, pathNot: ['^cli/', '^domain/'] },
    },
    {
      name: 'no-io-in-pure-code',
      severity: 'error',
      from: { path: '^(domain|workflows)/' },
      to: { path: ioPackages, dependencyTypesNot: ['type-only'] },
    },
    { name: 'no-node-in-pure-code', severity: 'error', from: { path: '^(domain|workflows)/' }, to: { dependencyTypes: ['core'] } },
    {
      name: 'console-talks-http',
      severity: 'error',
      comment:
        'The console reaches the engine through the public API only: it bundles pure domain/ helpers at most, and reads the API schemas as types (erased).',
      from: { path: '^console/' },
      to: { path: project, pathNot: '^domain/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'console-stands-apart',
      severity: 'error',
      comment: 'The engine never imports the console (a browser app); only its tests do.',
      from: { path: project },
      to: { path: '^console/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
