/**
 * One naming scheme for jobs, the app's job kinds and engine-worker jobs alike: lower-case words
 * joined by '-', grouped by ':' ('predict', 'nodule:classify', 'engine:conv-workload'). An app
 * kind and the engine-worker job doing its work share the name.
 */
const JOB_NAME = /^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$/;

export function checkJobName(name: string): void {
  if (!JOB_NAME.test(name)) throw new Error(`job name ${JSON.stringify(name)}: use lower-case words joined by '-', grouped by ':' (e.g. 'nodule:classify')`);
}
