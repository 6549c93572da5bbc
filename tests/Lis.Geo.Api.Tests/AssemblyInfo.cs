// Every test class here starts its own API host, and Hangfire keeps some state process-wide (its log
// provider is the last host's logger factory, disposed with that host). One host per process is how
// the product runs, so the classes run one after another rather than side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
