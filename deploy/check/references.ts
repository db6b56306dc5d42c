import { pseudoParameters, type Template } from './template.ts';

/**
 * Every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `Condition`, `Fn::If` condition and `DependsOn`
 * of the template names something that exists: a resource, a parameter, a pseudo parameter, a
 * condition (or a Fn::Sub variable of its own map). `osls package` checks none of this; a dangling
 * reference would only fail at deploy time.
 */
export function checkReferences(template: Template): string[] {
  const resources = new Set(Object.keys(template.Resources ?? {}));
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const problems: string[] = [];
  const known = (name: string) => resources.has(name) || parameters.has(name) || pseudoParameters.has(name);

  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, `${at}[${i}]`);
      });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = obj[fn as string];
      if (fn === 'Ref') {
        if (typeof arg !== 'string' || !known(arg))
          problems.push(`${at}: Ref ${JSON.stringify(arg)} does not exist`);
        return;
      }
      if (fn === 'Fn::GetAtt') {
        const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof target !== 'string' || !resources.has(target)) {
          problems.push(`${at}: Fn::GetAtt ${JSON.stringify(arg)} names no resource`);
        }
        return;
      }
      if (fn === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        const local = new Set(Object.keys((vars ?? {}) as object));
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (m[1] ?? '').trim();
            const base = name.includes('.') && !name.startsWith('AWS::') ? (name.split('.')[0] ?? '') : name;
            const ok =
              local.has(name) ||
              (name.includes('.') && !name.startsWith('AWS::') ? resources.has(base) : known(name));
            if (!ok) problems.push(`${at}: Fn::Sub variable \${${name}} does not exist`);
          }
        }
        if (vars !== undefined) walk(vars, `${at}.Fn::Sub[1]`);
        return;
      }
      if (fn === 'Fn::If' && Array.isArray(arg)) {
        if (typeof arg[0] !== 'string' || !conditions.has(arg[0])) {
          problems.push(`${at}: Fn::If condition ${JSON.stringify(arg[0])} does not exist`);
        }
        arg.slice(1).forEach((v, i) => {
          walk(v, `${at}.Fn::If[${i + 1}]`);
        });
        return;
      }
      if (fn === 'Condition' && typeof arg === 'string' && at.startsWith('Conditions.')) {
        if (!conditions.has(arg)) problems.push(`${at}: Condition ${arg} does not exist`);
        return;
      }
    }
    for (const [k, v] of Object.entries(obj)) walk(v, `${at}.${k}`);
  };

  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Condition !== undefined && !conditions.has(resource.Condition)) {
      problems.push(`Resources.${name}.Condition: ${resource.Condition} does not exist`);
    }
    const deps = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const dep of deps) {
      if (!resources.has(dep)) problems.push(`Resources.${name}.DependsOn: ${dep} does not exist`);
    }
    walk(resource.Properties, `Resources.${name}.Properties`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    const cond = (output as { Condition?: unknown }).Condition;
    if (cond !== undefined && (typeof cond !== 'string' || !conditions.has(cond))) {
      problems.push(`Outputs.${name}.Condition: ${String(cond)} does not exist`);
    }
    walk((output as { Value?: unknown }).Value, `Outputs.${name}.Value`);
  }
  walk(template.Conditions, 'Conditions');
  return problems;
}
