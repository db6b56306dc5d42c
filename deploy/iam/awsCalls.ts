import path from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { actionsForCommand, uploadActions } from './actionMap.ts';

/** One AWS API use found in a function's code. */
export interface AwsCall {
  /** `@aws-sdk/client-s3`, `@aws-sdk/lib-storage`... */
  package: string;
  /** `GetObjectCommand`, `paginateListObjectsV2`, `Upload`... */
  symbol: string;
  /** The IAM actions it needs. */
  actions: readonly string[];
  /** The project file the call is in (as esbuild names it, relative to the root). */
  file: string;
}

export interface AwsCallAnalysis {
  calls: AwsCall[];
  /** Every IAM action the code needs, sorted. */
  actions: string[];
  /** SDK uses we cannot map to actions (an aggregated client, an unknown service): fix or map them. */
  problems: string[];
}

/**
 * The AWS API calls reachable from a Lambda entry. The entry is bundled with esbuild (packages
 * left external, tree shaking on), so only code the handler can reach counts; the bundle is then
 * parsed and every `new XxxCommand(...)`, `paginateXxx(...)` and lib-storage `new Upload(...)`
 * whose symbol is imported from `@aws-sdk/*` is mapped to IAM actions. Calls made through a
 * variable holding the class (`const C = GetObjectCommand`) are not seen: construct commands
 * directly.
 */
export async function analyzeAwsCalls(rootDir: string, entryFile: string): Promise<AwsCallAnalysis> {
  const result = await build({
    absWorkingDir: rootDir,
    entryPoints: [path.resolve(rootDir, entryFile)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    treeShaking: true,
    minify: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return analyzeBundle(code);
}

/** The analysis of an ESM bundle's text (exported for tests). */
export function analyzeBundle(code: string): AwsCallAnalysis {
  const source = ts.createSourceFile('bundle.mjs', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const named = new Map<string, { pkg: string; imported: string }>();
  const namespaces = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const pkg = statement.moduleSpecifier.text;
    if (!pkg.startsWith('@aws-sdk/')) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) {
        named.set(el.name.text, { pkg, imported: (el.propertyName ?? el.name).getText(source) });
      }
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      namespaces.set(bindings.name.text, pkg);
    }
  }

  const fileMarkers = moduleMarkers(code);
  const calls: AwsCall[] = [];
  const problems: string[] = [];

  const resolve = (expr: ts.Expression): { pkg: string; imported: string } | undefined => {
    if (ts.isIdentifier(expr)) return named.get(expr.text);
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      const pkg = namespaces.get(expr.expression.text);
      if (pkg !== undefined) return { pkg, imported: expr.name.text };
    }
    return undefined;
  };

  const record = (node: ts.Node, pkg: string, symbol: string, actions: readonly string[] | undefined) => {
    const file = fileAt(fileMarkers, node.getStart(source));
    if (actions === undefined) {
      problems.push(
        `${file}: ${symbol} from ${pkg}: unknown AWS service; add its IAM prefix to deploy/iam/actionMap.ts`,
      );
      return;
    }
    calls.push({ package: pkg, symbol, actions, file });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const target = resolve(node.expression);
      if (target !== undefined) {
        const { pkg, imported } = target;
        if (pkg === '@aws-sdk/lib-storage' && imported === 'Upload') {
          record(node, pkg, imported, uploadActions);
        } else if (pkg.startsWith('@aws-sdk/client-') && imported.endsWith('Command')) {
          const arg = node.arguments?.[0];
          record(node, pkg, imported, actionsForCommand(pkg, imported, hasProperty(arg, 'VersionId')));
        } else if (pkg.startsWith('@aws-sdk/client-') && !/(Client|Exception|Error)$/.test(imported)) {
          problems.push(
            `${fileAt(fileMarkers, node.getStart(source))}: new ${imported}() from ${pkg}: aggregated clients hide which APIs are called; send XxxCommand objects instead`,
          );
        }
      }
    } else if (ts.isCallExpression(node)) {
      const target = resolve(node.expression);
      if (target?.pkg.startsWith('@aws-sdk/client-') && /^paginate[A-Z]/.test(target.imported)) {
        const command = `${target.imported.slice('paginate'.length)}Command`;
        record(node, target.pkg, target.imported, actionsForCommand(target.pkg, command));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  const actions = [...new Set(calls.flatMap((c) => c.actions))].sort();
  return { calls, actions, problems };
}

function hasProperty(arg: ts.Expression | undefined, name: string): boolean {
  if (arg === undefined || !ts.isObjectLiteralExpression(arg)) return false;
  return arg.properties.some(
    (p) =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
      (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
      p.name.text === name,
  );
}

/** esbuild (unminified) starts each module's code with a `// path/to/file.ts` comment line. */
function moduleMarkers(code: string): { offset: number; file: string }[] {
  const markers: { offset: number; file: string }[] = [];
  for (const m of code.matchAll(/^\/\/ (\S+\.(?:[cm]?[jt]s))$/gm)) {
    markers.push({ offset: m.index ?? 0, file: m[1] ?? '' });
  }
  return markers;
}

function fileAt(markers: { offset: number; file: string }[], offset: number): string {
  let file = '(entry)';
  for (const m of markers) {
    if (m.offset > offset) break;
    file = m.file;
  }
  return file;
}
