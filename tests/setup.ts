/**
 * Loaded before every mocha suite (.mocharc.json). Tests never touch the network: everything but
 * loopback is refused, so an offline suite that forgot an interceptor fails instead of calling out.
 */
import nock from 'nock';

nock.disableNetConnect();
nock.enableNetConnect((host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
