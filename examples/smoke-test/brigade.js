// A Brigade v1 script, unmodified in style: it runs the image that was just pushed.
const { events, Job } = require("brigadier");

events.on("image_push", (e, p) => {
  const image = e.image.ref;
  console.log(`${p.name}: smoke-testing ${image} (pushed to ${e.provider})`);
  const smoke = new Job("smoke", image, [
    "echo smoke test running inside $(hostname)",
    "ls /bin | wc -l",
    "echo ok",
  ]);
  smoke.timeout = 60000;
  return smoke.run().then((result) => {
    console.log(`smoke test of ${image} said: ${result.toString()}`);
  });
});

events.on("after", (e, p) => console.log(`build ${e.buildID} done for ${p.name}`));
