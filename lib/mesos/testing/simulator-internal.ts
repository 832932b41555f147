/**
 * Simulator-internal messages between the agents' node and the master's node (JSON bodies).
 * A real agent registers with RegisterSlaveMessage / ReregisterSlaveMessage, which carry far
 * more than a test double needs; these two carry the agent's id, resources and tasks.
 */
export const AGENT_REGISTER = 'nestjs-libprocess.simulator.RegisterAgent';
export const AGENT_REGISTERED = 'nestjs-libprocess.simulator.AgentRegistered';
/**
 * A task group for an agent (JSON: framework, executor, tasks), where a real master sends
 * RunTaskGroupMessage (not among the library's protos: the simulated agent only reports how
 * the group fails, see `AgentProcess.runTaskGroup`).
 */
export const RUN_TASK_GROUP = 'nestjs-libprocess.simulator.RunTaskGroup';
