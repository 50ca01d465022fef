// One server for the run; what the tests need of it goes to them through the environment
// (workers start after this and inherit it). The returned function stops it.
import chromium from '@sparticuz/chromium';
import { mintToken, startServer } from './server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServer();
  process.env.CONSOLE_URL = server.url;
  process.env.USERMGMT_DATA = server.data;
  process.env.USERMGMT_ADMIN_TOKEN = await mintToken(server.data, { admin: true });
  // Unpack the browser once, before any worker races to (it unpacks into /tmp).
  await chromium.executablePath().catch(() => undefined);
  return server.stop;
}
