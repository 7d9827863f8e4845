/**
 * `privatelink-approver validate [FILES or DIRS...]`: checks policy files the way the function loads
 * them (functions/policy-file/load-policy-file.ts) and prints every error and warning with file:line:column.
 * Exit 0 when every file is valid (warnings are printed), 65 when any has an error, 64 on bad usage.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { CliIO, Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { renderHelp } from '../help.ts';
import { jsonDocument } from '../../functions/audit/json-line.ts';
import type { Diagnostic } from '../../functions/policy/diagnostic.ts';
import { formatDiagnostic } from '../../functions/policy/diagnostic.ts';
import { loadPolicyFile } from '../../functions/policy-file/load-policy-file.ts';

const SUMMARY = 'Check policy files (syntax, schema, meaning); exit 65 when any is invalid';

const HELP = renderHelp({
  usage: 'validate [options] [FILE|DIR ...]',
  summary: SUMMARY,
  description: `Checks policy files: YAML syntax, the schema (policies/schema.json) and the meaning (unknown groups,
duplicates, service rules and allow entries that never apply, caps below the bandwidth given on accept,
expired entries, ...), with the same code the function loads a policy with. Every problem is printed
with file:line:column and the path in the policy.

Arguments:
  FILE|DIR               policy files, or directories searched recursively for *.yaml and *.yml
                         (hidden entries and node_modules are skipped; links to files are
                         followed, links to directories are not). Default: policies/`,
  options: `  --format FORMAT        text (default), json, or github (workflow commands that annotate a pull request)
  -q, --quiet            print errors only, not warnings`,
  exitCodes: {
    ok: 'every file is valid (warnings may be printed)',
    usage: 'bad usage: an unknown option, a path that does not exist, no policy files found',
    policyInvalid: 'some file has errors',
  },
});

type Format = 'text' | 'json' | 'github';

interface FileResult {
  file: string;
  ok: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export const validateCommand: Command = {
  name: 'validate',
  summary: SUMMARY,
  help: HELP,
  async run(argv, io) {
    let format: Format = 'text';
    let quiet = false;
    const targets: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (arg === '--format' || arg.startsWith('--format=')) {
        const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
        if (value !== 'text' && value !== 'json' && value !== 'github')
          return usageError(
            io,
            `--format must be text, json or github${value === undefined ? '' : `, not "${value}"`}`,
          );
        format = value;
      } else if (arg === '--quiet' || arg === '-q') {
        quiet = true;
      } else if (arg === '--') {
        targets.push(...argv.slice(i + 1));
        break;
      } else if (arg.startsWith('-') && arg !== '-') {
        return usageError(io, `unknown option ${arg}`);
      } else {
        targets.push(arg);
      }
    }
    if (targets.length === 0) targets.push('policies');

    const files: string[] = [];
    for (const target of targets) {
      const absolute = isAbsolute(target) ? target : resolve(io.cwd, target);
      let info;
      try {
        info = await stat(absolute);
      } catch {
        return usageError(io, `${target}: no such file or directory`);
      }
      if (info.isDirectory()) {
        const found = await findPolicyFiles(absolute);
        if (found.length === 0) return usageError(io, `${target}: no *.yaml or *.yml files found`);
        files.push(...found);
      } else {
        files.push(absolute);
      }
    }

    const results: FileResult[] = [];
    for (const file of [...new Set(files)]) {
      const shown = displayPath(file, io.cwd);
      const result = await loadPolicyFile(file, { commit: '' });
      const relabel = (d: Diagnostic): Diagnostic => ({ ...d, file: shown });
      results.push({
        file: shown,
        ok: result.ok,
        errors: result.ok ? [] : result.errors.map(relabel),
        warnings: quiet ? [] : result.warnings.map(relabel),
      });
    }

    const color = io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
    io.stdout.write(render(results, format, color));
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.policyInvalid;
  },
};

function usageError(io: CliIO, message: string): number {
  io.stderr.write(
    `privatelink-approver validate: ${message}\nRun \`privatelink-approver validate --help\` for usage.\n`,
  );
  return EXIT.usage;
}

/** Every *.yaml / *.yml under `directory`, sorted; hidden entries and node_modules are skipped. */
async function findPolicyFiles(directory: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) out.push(...(await findPolicyFiles(path)));
    // A link named *.yaml is checked as the file it points to (a dangling one then says "no such file");
    // links to directories are not followed, so a link cycle cannot loop.
    else if ((entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Renders the results in `format`; text uses ANSI colours only when `color`. */
export function render(results: FileResult[], format: Format, color: boolean): string {
  const errors = results.reduce((n, r) => n + r.errors.length, 0);
  const warnings = results.reduce((n, r) => n + r.warnings.length, 0);
  if (format === 'json') {
    return jsonDocument({ valid: errors === 0, errorCount: errors, warningCount: warnings, files: results });
  }
  if (format === 'github') {
    return results
      .flatMap((r) => [...r.errors, ...r.warnings])
      .map((d) => {
        const title = d.path === '' ? 'policy' : d.path;
        const message = d.hint === undefined ? d.message : `${d.message} (${d.hint})`;
        return `::${d.severity} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(title)}::${escapeData(message)}\n`;
      })
      .join('');
  }
  const paint = (code: string, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const r of results) {
    for (const d of [...r.errors, ...r.warnings].sort((a, b) => a.line - b.line || a.column - b.column)) {
      const line = formatDiagnostic(d);
      lines.push(d.severity === 'error' ? paint('31', line) : paint('33', line));
    }
  }
  const valid = results.filter((r) => r.ok).length;
  const summary = `${results.length} ${results.length === 1 ? 'file' : 'files'} checked: ${valid} valid, ${results.length - valid} invalid (${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'})`;
  lines.push(errors === 0 ? paint('32', summary) : paint('1;31', summary));
  return `${lines.join('\n')}\n`;
}

/** GitHub workflow command escaping (actions/toolkit `escapeData` / `escapeProperty`). */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
