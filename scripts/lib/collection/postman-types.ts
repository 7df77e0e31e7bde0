/** The parts of the Postman collection v2.1.0 and environment formats the generator writes. */
export interface PostmanScriptEvent {
  listen: 'prerequest' | 'test';
  script: { type: 'text/javascript'; exec: string[] };
}

export interface PostmanVariable {
  key: string;
  value: string;
  type: 'string';
  description?: string;
}

export interface PostmanRequest {
  method: string;
  header: Array<{ key: string; value: string }>;
  url: string;
  auth: { type: 'noauth' } | { type: 'bearer'; bearer: Array<{ key: 'token'; value: string; type: 'string' }> };
  body?: { mode: 'urlencoded'; urlencoded: Array<{ key: string; value: string; type: 'text' }> };
  description: string;
}

export interface PostmanItem {
  name: string;
  request: PostmanRequest;
}

export interface PostmanFolder {
  name: string;
  description: string;
  item: PostmanItem[];
}

export interface PostmanCollection {
  info: { name: string; description: string; schema: string };
  item: PostmanFolder[];
  event: PostmanScriptEvent[];
  variable: PostmanVariable[];
}

export interface PostmanEnvironment {
  id: string;
  name: string;
  values: Array<{ key: string; value: string; type: 'default' | 'secret'; enabled: true }>;
  _postman_variable_scope: 'environment';
}
