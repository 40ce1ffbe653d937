// The hello-world worker both runtimes serve in bench/run.sh.
export default {
  fetch() {
    return new Response("Hello World!");
  },
};
