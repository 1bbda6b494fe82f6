"""The compiled read path's parts: what fields declare (`declarations`), the
plans of a document's fields (`plans`), the batched reads of declared fields
(`batches`) and the rounds that run them (`run`). `engine.execution` is the
execution context that uses them."""
