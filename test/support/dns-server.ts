import dns2 from 'dns2';

// An authoritative-only DNS server on 127.0.0.1 for the names a test defines;
// everything else is NXDOMAIN, so no query ever leaves the machine.

export type TestZone = Record<
  string,
  {
    A?: string[];
    AAAA?: string[];
    /** Each record as its character-strings (a long DKIM key is several). */
    TXT?: string[][];
  }
>;

export type TestDnsServer = { port: number; server: string; zone: TestZone; close(): Promise<void> };

const { Packet } = dns2;
const NXDOMAIN = 3; // Packet.RCODE exists at run time but not in dns2's types

export async function startDnsServer(zone: TestZone): Promise<TestDnsServer> {
  const lookup = (name: string) => zone[name.toLowerCase().replace(/\.$/, '')];
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const records = question ? lookup(question.name) : undefined;
      if (!question || !records) {
        response.header.rcode = NXDOMAIN;
        void send(response);
        return;
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
      if (question.type === Packet.TYPE.A) {
        for (const address of records.A ?? []) response.answers.push({ ...base, type: Packet.TYPE.A, address } as never);
      } else if (question.type === Packet.TYPE.AAAA) {
        for (const address of records.AAAA ?? []) response.answers.push({ ...base, type: Packet.TYPE.AAAA, address } as never);
      } else if (question.type === Packet.TYPE.TXT) {
        for (const data of records.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data } as never);
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addresses.udp!.port;
  return { port, server: `127.0.0.1:${port}`, zone, close: () => server.close() };
}
