/**
 * Fails when the modules under src/ import each other in a circle, type-only imports included (a
 * type-only cycle still ties two files together for a reader and for the next change), or import
 * against the layering: nothing outside src/cli imports src/cli (the library reports through
 * callbacks, the CLI draws), and nothing in src imports a file outside src (bench/ and scripts/ are
 * standalone scripts). Reads every import, export-from and literal import() with the TypeScript
 * parser, resolves relative specifiers (.js → .ts), and prints each strongly connected group of
 * files with one cycle through it.
 *
 *   npm run check:cycles            (or: node --import tsx scripts/check-cycles.ts [folder])
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir` (not .d.ts). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The relative module specifiers a file imports, statically or through a literal import(). */
export function importSpecifiers(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) specs.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs.filter((s) => s.startsWith('.'));
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Pure: the strongly connected groups of more than one node (or a node importing itself), by Tarjan's algorithm. */
export function cyclicGroups(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const strong = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) strong(v);
  return groups;
}

/** One cycle through `start` inside its group (breadth-first back to itself), for the message. */
function cycleThrough(start: string, graph: Map<string, string[]>, group: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** Every file under `root` with the files under `root` it imports; `outside` collects imports that leave `root`. */
export function importGraph(root: string, outside: Array<[string, string]> = []): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const targets: string[] = [];
    for (const spec of importSpecifiers(file, readFileSync(file, 'utf8'))) {
      const target = resolve(file, spec);
      if (target === undefined) continue;
      if (target.startsWith(root + path.sep)) targets.push(target);
      else outside.push([file, target]);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Pure: imports against the layering, as "from → to" pairs (paths relative to src). */
export function layeringViolations(graph: Map<string, string[]>, root: string, outside: Array<[string, string]>): string[] {
  const cli = path.join(root, 'cli') + path.sep;
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    if (from.startsWith(cli)) continue;
    for (const to of targets) if (to.startsWith(cli)) bad.push(`${path.relative(root, from)} → ${path.relative(root, to)} (only src/cli imports src/cli)`);
  }
  for (const [from, to] of outside) bad.push(`${path.relative(root, from)} → ${path.relative(root, to)} (src imports nothing outside src)`);
  return bad;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(process.argv[2] ?? 'src');
  const outside: Array<[string, string]> = [];
  const graph = importGraph(root, outside);
  const groups = cyclicGroups(graph);
  const violations = layeringViolations(graph, root, outside);
  const rel = (f: string): string => path.relative(process.cwd(), f);
  const lines = groups.map((group) => `import cycle among ${group.length} files: ${cycleThrough(group[0]!, graph, new Set(group)).map(rel).join(' → ')}`);
  lines.push(...violations.map((v) => `import against the layering: ${v}`));
  lines.push(`${graph.size} files under ${rel(root) || '.'}: ${groups.length} import cycle${groups.length === 1 ? '' : 's'}, ${violations.length} layering violation${violations.length === 1 ? '' : 's'}`);
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = groups.length === 0 && violations.length === 0 ? 0 : 1;
}
