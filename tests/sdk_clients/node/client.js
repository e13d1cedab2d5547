// Drives the official Node SDK (npm authing-node-sdk, pinned in package-lock.json) as a
// user's program would; tests/test_emulator_sdk_clients.py runs it against the emulator.
//
// Reads one JSON request on stdin: {host, accessKeyId, accessKeySecret, lang?, clockSkewSeconds?,
// calls: [{op: "get"} | {op: "config", body: ConfigEmailProviderDto}]}; makes the calls in order
// with one ManagementClient and prints, as the last line of stdout, a JSON array with one
// {answer} (what the SDK returned) or {error} (what it threw) per call.
// clockSkewSeconds moves this process's clock, so that the SDK itself signs a request with a
// date that far from now (the emulator's window for signed requests).
"use strict";

const fs = require("fs");

const request = JSON.parse(fs.readFileSync(0, "utf8"));

if (request.clockSkewSeconds) {
    const skewMs = request.clockSkewSeconds * 1000;
    const RealDate = Date;
    global.Date = class extends RealDate {
        constructor(...args) {
            super(...(args.length ? args : [RealDate.now() + skewMs]));
        }
        static now() {
            return RealDate.now() + skewMs;
        }
    };
}

const { ManagementClient } = require("authing-node-sdk");

(async () => {
    const client = new ManagementClient({
        accessKeyId: request.accessKeyId,
        accessKeySecret: request.accessKeySecret,
        host: request.host,
        lang: request.lang,
    });
    const results = [];
    for (const call of request.calls) {
        try {
            const answer =
                call.op === "get"
                    ? await client.getEmailProvider()
                    : await client.configEmailProvider(call.body);
            results.push({ answer });
        } catch (error) {
            results.push({ error: `${error.name}: ${error.message}` });
        }
    }
    process.stdout.write(`\n${JSON.stringify(results)}\n`);
})();
