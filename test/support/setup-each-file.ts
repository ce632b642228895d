import nock from 'nock';

// No test may reach a real host: only loopback (our own servers, PostgreSQL, Redis) is allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);

process.env.LOG_LEVEL ??= 'silent';
