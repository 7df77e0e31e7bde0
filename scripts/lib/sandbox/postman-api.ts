/**
 * The slice of the Postman sandbox API (postman-sandbox 4.7.1, and the Postman app) the collection
 * scripts use. Declared here so the scripts type-check; the sandbox provides the globals.
 */
export interface PmHeaderList {
  each(callback: (header: { key: string; value: string; disabled?: boolean }) => void): void;
}

export interface PmResponse {
  code: number;
  headers: PmHeaderList;
  text(): string;
}

export interface PmRequestDefinition {
  url: string;
  method: string;
  header: Array<{ key: string; value: string }>;
  body: { mode: 'urlencoded'; urlencoded: Array<{ key: string; value: string }> };
}

export interface PmVariableScope {
  get(name: string): unknown;
  set(name: string, value: string): void;
  unset(name: string): void;
}

export interface PmTest {
  (name: string, fn: () => void): void;
  skip(name: string, fn?: () => void): void;
}

export interface Pm {
  info: { requestName: string; eventName: 'prerequest' | 'test' };
  variables: { get(name: string): unknown };
  collectionVariables: PmVariableScope;
  response: PmResponse;
  test: PmTest;
  sendRequest(request: PmRequestDefinition, callback: (error: unknown, response: PmResponse | undefined) => void): void;
  execution: { skipRequest(): void };
}

export interface PostmanLegacy {
  setNextRequest(name: string | null): void;
}
