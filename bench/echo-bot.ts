/**
 * The yardstick for the load benchmark: the least a Bot Framework bot on the same stack can do
 * (restify, CloudAdapter with anonymous auth, replies posted to the connector in normal delivery
 * mode), so ServiceSim's throughput can be read as a share of what the stack itself allows.
 * It answers a message with "You said: …" and nothing else; no state, no storage, no logging.
 *
 * Run as a child process (`node --import tsx bench/echo-bot.ts`): it listens on 127.0.0.1, port 0,
 * and prints `echo bot listening on 127.0.0.1:<port>` on stdout.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import restify from 'restify';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new EchoBot();
const server = restify.createServer({ name: 'bench-echo-bot', handleUncaughtExceptions: false });
// Without the body parser CloudAdapter sees no activity and answers 400.
server.use(restify.plugins.bodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`echo bot listening on 127.0.0.1:${address.port}\n`);
});

// Stopped by the driver with SIGTERM; closing first lets in-flight turns finish.
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
