// Fails when an export of a public entry point (typedoc.json) has no documentation comment; members of
// classes and interfaces are not required. Writes the API docs (dist/docs) as it goes.
import { Application, ReflectionKind } from 'typedoc';

const app = await Application.bootstrapWithPlugins({ validation: { notDocumented: false, invalidLink: true, notExported: false } });
const project = await app.convert();
if (!project) process.exit(1);
const documented = (r) => Boolean(r.comment?.summary.length || r.signatures?.some((s) => s.comment?.summary.length) || r.type?.declaration?.signatures?.some((s) => s.comment?.summary.length));
const missing = [];
for (const entry of project.children ?? []) {
  if (!documented(entry)) missing.push(`${entry.name} (entry point: give it a @packageDocumentation comment)`);
  for (const r of entry.children ?? []) {
    if (r.kind === ReflectionKind.Reference) continue;
    if (!documented(r)) missing.push(`${entry.name}: ${r.name} (${ReflectionKind.singularString(r.kind)})`);
  }
}
if (missing.length > 0) {
  process.stderr.write(`undocumented exports:\n${missing.map((m) => `  ${m}\n`).join('')}`);
  process.exit(1);
}
await app.generateDocs(project, app.options.getValue('out'));
process.stdout.write(`API docs: ${project.children?.reduce((n, e) => n + (e.children?.length ?? 0), 0)} exports documented, in ${app.options.getValue('out')}\n`);
