import type { Template } from './template.ts';

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

function placeholdersIn(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PLACEHOLDER)) if (m[1]) into.add(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) placeholdersIn(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) placeholdersIn(v, into);
  }
  return into;
}

/**
 * Every `${Placeholder}` in a state machine's Definition has a DefinitionSubstitutions entry (else
 * Step Functions would receive the literal text as an ARN), and every entry is used.
 */
export function checkSubstitutions(template: Template): string[] {
  const problems: string[] = [];
  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    const definition = props.Definition ?? props.DefinitionString;
    if (definition === undefined) {
      problems.push(`Resources.${name}: no Definition`);
      continue;
    }
    const used = placeholdersIn(definition, new Set());
    const given = new Set(Object.keys((props.DefinitionSubstitutions ?? {}) as object));
    for (const p of [...used].sort()) {
      if (!given.has(p)) problems.push(`Resources.${name}: \${${p}} is not in DefinitionSubstitutions`);
    }
    for (const g of [...given].sort()) {
      if (!used.has(g))
        problems.push(`Resources.${name}: DefinitionSubstitutions.${g} is not used by the definition`);
    }
  }
  return problems;
}
