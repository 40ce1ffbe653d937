test("setTimeout fires in order of delay", async () => {
  const order = [];
  await new Promise((resolve) => {
    setTimeout(() => order.push(2), 20);
    setTimeout(() => order.push(1), 1);
    setTimeout(() => { order.push(3); resolve(); }, 40);
  });
  assertEquals(order, [1, 2, 3]);
});

test("clearTimeout cancels", async () => {
  let fired = false;
  const id = setTimeout(() => { fired = true; }, 5);
  clearTimeout(id);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(fired, false);
});

test("setInterval repeats until cleared", async () => {
  let n = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => { if (++n === 3) { clearInterval(id); resolve(); } }, 1);
  });
  assertEquals(n, 3);
});

test("timer arguments are passed", async () => {
  const got = await new Promise((r) => setTimeout((a, b) => r(a + b), 0, 40, 2));
  assertEquals(got, 42);
});

test("queueMicrotask runs before timers", async () => {
  const order = [];
  await new Promise((resolve) => {
    setTimeout(() => { order.push("timer"); resolve(); }, 0);
    queueMicrotask(() => order.push("micro"));
  });
  assertEquals(order, ["micro", "timer"]);
});

test("scheduler.wait resolves", async () => {
  const t0 = Date.now();
  await scheduler.wait(10);
  assert(Date.now() - t0 >= 9, "waited");
});

test("console.log formats objects", () => {
  console.log("obj", { a: 1, b: [1, "x"] });
});
