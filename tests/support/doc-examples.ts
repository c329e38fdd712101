/** The GraphQL examples of the documentation (README.md, then docs/*.md by name), each with its file. */
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);

export interface DocExample {
  file: string;
  /** Its position among the file's examples, from 1. */
  index: number;
  text: string;
}

export function docExamples(): DocExample[] {
  const files = [
    'README.md',
    ...readdirSync(new URL('docs/', root))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  return files.flatMap((file) =>
    [...readFileSync(new URL(file, root), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match, i) => ({
      file,
      index: i + 1,
      text: match[1]!,
    })),
  );
}
