/**
 * `npm run build`: bundles the Function Compute handler (functions/handler.ts) with esbuild into
 * `dist/index.js` (CommonJS: FC's nodejs20 runtime loads `index.handler` with require), copies the policy
 * beside it as `dist/policies/policy.yaml`, and stamps the git commit (`__POLICY_COMMIT__`).
 *
 * The bundle must stay small and quick to load: pop-core's RPC client module only (never the package
 * root, which drags in XML parsing), ajv's standalone-generated validator (no schema compilation), no
 * `@alicloud/fc2`, no emulator code. The build refuses to bundle any of those, and
 * test/fc/bundle.test.ts checks the metafile.
 *
 * Usage: tsx scripts/build.ts [--policy FILE] [--outdir DIR] [--metafile FILE]
 *   --policy   the policy to bundle (default policies/policy.yaml)
 *   --outdir   output directory, emptied first (default dist)
 *   --metafile write esbuild's metafile there (inputs and sizes)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Metafile, Plugin } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_POLICY = 'policies/policy.yaml';
/** Size target of the bundle (index.js), bytes: printed by the benchmark, not enforced. */
export const BUNDLE_SIZE_TARGET = 300 * 1024;

export interface BuildOptions {
  /** Output directory; emptied first. Default `<repo>/dist`. */
  outDir?: string;
  /** The policy file to bundle. Default `<repo>/policies/policy.yaml`. */
  policyFile?: string;
  /** The commit to stamp; default `git rev-parse HEAD` (with `-dirty` when the policy file has uncommitted changes). */
  commit?: string;
  /** Print the summary line (default true). */
  quiet?: boolean;
}

export interface BuildResult {
  outDir: string;
  bundlePath: string;
  bundleBytes: number;
  policyPath: string;
  commit: string | undefined;
  metafile: Metafile;
}

/** Module paths (relative to the repo, `/`-separated) the function bundle must never contain, with why. */
export const FORBIDDEN_INPUTS: { test: (input: string) => boolean; why: string }[] = [
  { test: (p) => p.includes('node_modules/@alicloud/fc2/'), why: '@alicloud/fc2 is for the invoke command only' },
  { test: (p) => p.startsWith('emulator/'), why: 'emulator code does not belong in the function' },
  {
    test: (p) => p === 'node_modules/@alicloud/pop-core/index.js' || p === 'node_modules/@alicloud/pop-core/lib/roa.js',
    why: "import pop-core's RPC client module, not the package root",
  },
  {
    test: (p) => /node_modules\/ajv\/dist\/(core|ajv|compile\/index)\.js$/.test(p),
    why: 'use the standalone-generated validator, not ajv schema compilation',
  },
  {
    test: (p) => p.includes('node_modules/esbuild/') || p.includes('node_modules/typescript/'),
    why: 'build tools do not belong in the function',
  },
  {
    test: (p) => /node_modules\/.+\/node_modules\/json-bigint\//.test(p),
    why: "a second json-bigint: pop-core would parse with it, not with the client's (functions/client/answer-json.ts)",
  },
];

/** Checks a metafile's inputs against FORBIDDEN_INPUTS; returns one line per offending input. */
export function forbiddenInputs(metafile: Metafile): string[] {
  const problems: string[] = [];
  for (const input of Object.keys(metafile.inputs)) {
    const p = input.split(sep).join('/');
    for (const rule of FORBIDDEN_INPUTS) if (rule.test(p)) problems.push(`${p}: ${rule.why}`);
  }
  return problems;
}

function gitCommit(policyFile: string): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', policyFile], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? head : `${head}-dirty`;
  } catch {
    return undefined;
  }
}

/** Fails the build when a forbidden module is resolved, naming who imported it. */
const guardPlugin: Plugin = {
  name: 'privatelink-approver-guard',
  setup(b) {
    // The default credential chain (functions/client/credentials.ts loads it lazily) is for the CLI; the
    // function reads context.credentials. Bundling it would add its whole dependency tree.
    b.onResolve({ filter: /^@alicloud\/credentials$/ }, () => ({
      path: '@alicloud/credentials',
      namespace: 'not-in-function',
    }));
    b.onLoad({ filter: /.*/, namespace: 'not-in-function' }, () => ({
      contents:
        'throw new Error("@alicloud/credentials is not part of the function bundle: the function uses context.credentials");',
      loader: 'js',
    }));
    b.onResolve({ filter: /^@alicloud\/(fc2|pop-core)$/ }, (args) => ({
      errors: [
        {
          text: `${args.path} must not be imported by the function (${args.importer}): ${args.path === '@alicloud/fc2' ? 'fc2 is for the invoke command only' : "import '@alicloud/pop-core/lib/rpc.js'"}`,
        },
      ],
    }));
  },
};

/** Builds the function bundle. Throws when esbuild fails or a forbidden module got in. */
export async function buildBundle(options: BuildOptions = {}): Promise<BuildResult> {
  const outDir = resolve(options.outDir ?? join(REPO_ROOT, 'dist'));
  const policyFile = resolve(options.policyFile ?? join(REPO_ROOT, DEFAULT_POLICY));
  if (!existsSync(policyFile)) {
    throw new Error(
      `no policy to bundle: ${relative(process.cwd(), policyFile) || policyFile} does not exist (create it, or pass --policy FILE, e.g. --policy policies/demo.yaml)`,
    );
  }
  const commit = options.commit ?? gitCommit(policyFile);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'policies'), { recursive: true });
  const bundlePath = join(outDir, 'index.js');
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, 'functions/handler.ts')],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    plugins: [guardPlugin],
    // The sources are ESM and read import.meta.url; in a CommonJS bundle it comes from __filename.
    banner: { js: 'const __import_meta_url=require("url").pathToFileURL(__filename).href;' },
    define: {
      'import.meta.url': '__import_meta_url',
      __POLICY_COMMIT__: JSON.stringify(commit ?? ''),
    },
  });
  const problems = forbiddenInputs(result.metafile);
  if (problems.length > 0) throw new Error(`the bundle contains modules it must not:\n  ${problems.join('\n  ')}`);

  // The repo's package.json says "type": "module"; this one makes index.js CommonJS wherever dist/ is
  // required from (FC deploys dist/ alone, where there is no parent package.json at all).
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs', private: true }, null, 2)}\n`);
  const policyPath = join(outDir, 'policies', 'policy.yaml');
  copyFileSync(policyFile, policyPath);

  const bundleBytes = statSync(bundlePath).size;
  if (options.quiet !== true) {
    console.log(
      `${relative(process.cwd(), bundlePath) || bundlePath}  ${(bundleBytes / 1024).toFixed(1)} KB (target <= ${BUNDLE_SIZE_TARGET / 1024} KB)`,
    );
    console.log(
      `${relative(process.cwd(), policyPath) || policyPath}  from ${relative(REPO_ROOT, policyFile)}, commit ${commit ?? 'unknown (not a git checkout)'}`,
    );
  }
  return { outDir, bundlePath, bundleBytes, policyPath, commit, metafile: result.metafile };
}

function parseArgs(argv: string[]): BuildOptions & { metafilePath?: string } {
  const out: BuildOptions & { metafilePath?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--policy' || flag === '--outdir' || flag === '--metafile') && value !== undefined) {
      if (flag === '--policy') out.policyFile = value;
      else if (flag === '--outdir') out.outDir = value;
      else out.metafilePath = value;
      i++;
    } else {
      throw new Error(
        `build: unknown or incomplete option '${flag ?? ''}' (usage: tsx scripts/build.ts [--policy FILE] [--outdir DIR] [--metafile FILE])`,
      );
    }
  }
  return out;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntry) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const result = await buildBundle(options);
    if (options.metafilePath !== undefined) writeFileSync(options.metafilePath, JSON.stringify(result.metafile));
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
