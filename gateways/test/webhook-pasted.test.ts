/** Distribution and GitLab take their notification endpoint as configuration, rendered to paste. */
import { expect } from "chai";
import { parse } from "yaml";
import { distribution } from "../src/distribution/gateway.js";
import { distributionNotificationsYaml, gitlabRegistryNotificationsRuby } from "../src/distribution/hooks.js";

const SECRET = "bosun-webhook-token-3f9a0c7e11";
const URL_ = "https://bosun.example.com/events/distribution/webapp";

describe("webhook configuration to paste: Distribution and GitLab", () => {
  it("renders Distribution's notifications.endpoints, whose header the distribution gateway accepts", async () => {
    const text = distributionNotificationsYaml({ url: URL_, secret: SECRET });
    const config = parse(text) as {
      notifications: { endpoints: { name: string; url: string; headers: { Authorization: string[] } }[] };
    };
    expect(config).to.deep.equal({
      notifications: {
        endpoints: [
          {
            name: "bosun-webapp",
            url: URL_,
            headers: { Authorization: [`Bearer ${SECRET}`] },
            timeout: "2s",
            threshold: 5,
            backoff: "1s",
          },
        ],
      },
    });
    const header = config.notifications.endpoints[0]?.headers.Authorization[0] ?? "";
    const request = { headers: { authorization: header }, query: new URLSearchParams() };
    if (distribution.authenticator.reads !== "head") expect.fail("distribution reads the head");
    expect(await distribution.authenticator.authenticate(request, SECRET)).to.equal(true);
  });

  it("quotes what YAML would read otherwise", () => {
    const text = distributionNotificationsYaml({
      url: `${URL_}?a=1#x`,
      secret: "yes: no # not a comment",
      name: "on",
    });
    const endpoint = (parse(text) as { notifications: { endpoints: Record<string, unknown>[] } })
      .notifications.endpoints[0];
    expect(endpoint?.["name"]).to.equal("on");
    expect(endpoint?.["headers"]).to.deep.equal({ Authorization: ["Bearer yes: no # not a comment"] });
  });

  it("renders GitLab's registry['notifications'] for gitlab.rb", () => {
    expect(gitlabRegistryNotificationsRuby({ url: URL_, secret: SECRET })).to.equal(
      [
        "registry['notifications'] = [",
        "  {",
        `    'name' => 'bosun-webapp',`,
        `    'url' => '${URL_}',`,
        `    'timeout' => '2s',`,
        `    'threshold' => 5,`,
        `    'backoff' => '1s',`,
        `    'headers' => { 'Authorization' => ['Bearer ${SECRET}'] }`,
        "  }",
        "]",
        "",
      ].join("\n"),
    );
  });

  it("writes GitLab's strings single-quoted: no interpolation, quotes and backslashes escaped", () => {
    const text = gitlabRegistryNotificationsRuby({ url: URL_, secret: String.raw`a'b\#{system("x")}` });
    expect(text).to.include(String.raw`['Bearer a\'b\\#{system("x")}']`);
  });
});
