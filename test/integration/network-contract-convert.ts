// The contract's conversion cases (src/network/convert.ts): a client converts with its connector's converter, a
// formatted message of someone else's comes into Matrix formatted, and Matrix HTML sent through the converter comes
// back from the network as the same formatting. Run by network-contract.ts against every network.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { NetworkClient } from "../../src/network/connector";
import type { FromMatrixHooks, ToMatrixHooks } from "../../src/network/convert";
import type { NetworkRoom } from "../../src/network/types";
import type { ContractHarness } from "./network-contract";

const T = { timeout: 30_000 };
const TO_MATRIX: ToMatrixHooks = { mentionTarget: () => null, imageCopy: () => null };

export function convertContractCases(get: () => { client: NetworkClient; shared: NetworkRoom }, h: ContractHarness): void {
  it("a client's profile is its connector's: names, web site and converter", () => {
    const { client } = get();
    const c = h.connector();
    assert.equal(client.profile.converter, c.converter);
    assert.deepEqual([client.profile.name, client.profile.displayName, client.profile.webUrl], [c.name, c.displayName, c.webUrl]);
    assert.ok(/^https?:\/\/[^/]+/.test(c.webUrl), `a web site: ${c.webUrl}`);
  });

  it("converts a formatted message into Matrix, and Matrix HTML comes back from the network as the same formatting", T, async () => {
    const { client, shared } = get();
    const { converter } = client.profile;
    const word = `w${randomUUID().slice(0, 8)}`;
    await h.bob.post(shared.id, `see **${word}**`);
    const [bobs] = (await client.latestMessages(shared.id, 5)).filter((m) => m.text.includes(word));
    assert.ok(bobs, "bob's message in the room");
    const content = converter.toMatrix(bobs, TO_MATRIX);
    assert.equal(content?.msgtype, "m.text");
    assert.match(String(content?.formatted_body), new RegExp(`<strong>${word}</strong>`));

    const hooks: FromMatrixHooks = { usernameForMxid: () => null, ownUsername: client.self.username, mediaUrl: () => null };
    const out = converter.fromMatrix({ msgtype: "m.text", body: word, format: "org.matrix.custom.html", formatted_body: `and <em>${word}</em>` }, hooks);
    assert.ok(converter.textLength(out) <= converter.maxTextLength);
    const sent = await client.send(shared.id, { text: out.text, kind: out.kind }, randomUUID().replace(/-/g, ""));
    const back = converter.toMatrix(sent, TO_MATRIX);
    assert.match(String(back?.formatted_body), new RegExp(`<em>${word}</em>`));
  });
}
