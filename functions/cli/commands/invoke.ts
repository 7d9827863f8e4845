import type { Command } from '../command.ts';

export const invokeCommand: Command = {
  name: 'invoke',
  summary: '(not implemented yet)',
  help: 'privatelink-approver invoke: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver invoke: not implemented yet\n');
    return 1;
  },
};
