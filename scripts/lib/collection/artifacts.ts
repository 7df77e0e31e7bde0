import { buildCollection, serializeArtifact } from './collection-builder';
import { ENVIRONMENT_TEMPLATES, buildEnvironment } from './environment-builder';
import { bundleSandboxScript } from './sandbox-bundle';

export const COLLECTION_PATH = 'collections/mediroutes-auth.postman_collection.json';

export interface Artifact {
  /** Repository-relative path. */
  path: string;
  content: string;
}

/** Every generated file of collections/, with its content. */
export function generateArtifacts(): Artifact[] {
  return [
    { path: COLLECTION_PATH, content: serializeArtifact(buildCollection(bundleSandboxScript())) },
    ...ENVIRONMENT_TEMPLATES.map((t) => ({
      path: `collections/environments/${t.fileName}.postman_environment.json`,
      content: serializeArtifact(buildEnvironment(t)),
    })),
  ];
}
