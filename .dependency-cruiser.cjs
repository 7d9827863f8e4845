/**
 * The layering `npm test` enforces (npm run depcheck); README "Architecture" draws it.
 * Arrows point inward: cli -> functions (fc -> sweep -> client/audit -> engine -> policy); the emulator is
 * a component of its own that others reach only through emulator/index.ts.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles.', from: {}, to: { circular: true } },
    {
      name: 'policy-is-innermost',
      severity: 'error',
      comment: 'The policy model imports only itself.',
      from: { path: '^functions/policy/' },
      to: { pathNot: ['^functions/policy/', '^node_modules/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'policy-no-packages-but-yaml',
      severity: 'error',
      comment: 'The policy model needs only the yaml parser (and ajv types).',
      from: { path: '^functions/policy/' },
      to: { path: '^node_modules/', pathNot: ['^node_modules/yaml/', '^node_modules/ajv/'] },
    },
    {
      name: 'engine-imports-only-policy',
      severity: 'error',
      comment: 'The pure engine imports only itself and the policy model.',
      from: { path: '^functions/engine/' },
      to: { pathNot: ['^functions/engine/', '^functions/policy/'] },
    },
    {
      name: 'core-never-imports-the-shell',
      severity: 'error',
      comment: 'What ships to Function Compute never imports the CLI, the emulator, tests or scripts.',
      from: { path: '^functions/' },
      to: { path: ['^cli/', '^emulator/', '^test/', '^scripts/', '^bin/'] },
    },
    {
      name: 'client-below-sweep',
      severity: 'error',
      comment: 'The API client knows nothing of sweeps, handlers or records.',
      from: { path: '^functions/client/' },
      to: { path: ['^functions/sweep/', '^functions/fc/', '^functions/audit/', '^functions/policy-file/'] },
    },
    {
      name: 'audit-below-sweep',
      severity: 'error',
      from: { path: '^functions/audit/' },
      to: { path: ['^functions/sweep/', '^functions/fc/', '^functions/client/'] },
    },
    {
      name: 'sweep-below-handler',
      severity: 'error',
      from: { path: '^functions/(sweep|client|audit|engine|policy|policy-file|log)/' },
      to: { path: '^functions/fc/' },
    },
    {
      name: 'only-the-client-knows-the-sdk',
      severity: 'error',
      from: { path: ['^functions/', '^cli/', '^bin/'], pathNot: ['^functions/client/', '^cli/invoke/'] },
      to: { path: '^node_modules/@alicloud/(pop-core|fc2)/' },
    },
    {
      name: 'emulator-stands-alone',
      severity: 'error',
      comment: 'The emulator is a component of its own: it imports nothing of the product.',
      from: { path: '^emulator/' },
      to: { path: ['^functions/', '^cli/', '^test/'] },
    },
    {
      name: 'emulator-only-through-its-index',
      severity: 'error',
      comment: 'Outside emulator/ (and its own tests), only emulator/index.ts is imported.',
      from: { pathNot: ['^emulator/', '^test/emulator/'] },
      to: { path: '^emulator/', pathNot: ['^emulator/index\\.ts$'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '(^|/)\\.[^/]+\\.(c|m)?js$', '\\.config\\.(c|m)?js$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
