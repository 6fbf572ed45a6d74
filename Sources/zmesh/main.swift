import ZmeshCommands

await ZmeshCommand.runMain()
