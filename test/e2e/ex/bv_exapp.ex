# bv_exapp: a test-only Elixir application for test/e2e/suptree_exapp.sh, compiled
# on the test node with Code.compile_file/1 and loaded with :application.load/1 (no
# mix project, no files written). Elixir 1.14 or later (PartitionSupervisor).
#
# BvExApp.Supervisor (one_for_one; start/2 returns its pid)
#   BvExApp.Registry    Registry, keys: :unique, partitions: 4
#   BvExApp.Sessions    DynamicSupervisor: 20 BvExApp.Session workers, each named
#                       {:via, Registry, {BvExApp.Registry, {:session, i}}}
#   BvExApp.Tasks       Task.Supervisor: 4 tasks that sleep forever
#   BvExApp.Shards      PartitionSupervisor of 4 DynamicSupervisors, 40 Agents
#   BvExApp.Pools       Supervisor of 4 Supervisors of 60 BvExApp.Worker each
# 1 + (1+4) + (1+20) + (1+4) + (1+4+40) + (1+4+240) = 322 processes, the top included.
defmodule BvExApp do
  use Application

  @impl true
  def start(_type, _args) do
    children = [
      {Registry, keys: :unique, name: BvExApp.Registry, partitions: 4},
      {DynamicSupervisor, name: BvExApp.Sessions, strategy: :one_for_one},
      {Task.Supervisor, name: BvExApp.Tasks},
      {PartitionSupervisor, child_spec: DynamicSupervisor, name: BvExApp.Shards, partitions: 4},
      %{
        id: BvExApp.Pools,
        start: {Supervisor, :start_link, [pools(), [strategy: :one_for_one, name: BvExApp.Pools]]},
        type: :supervisor
      }
    ]

    {:ok, top} = Supervisor.start_link(children, strategy: :one_for_one, name: BvExApp.Supervisor)

    for i <- 1..20 do
      name = {:via, Registry, {BvExApp.Registry, {:session, i}}}
      {:ok, _} = DynamicSupervisor.start_child(BvExApp.Sessions, {BvExApp.Session, name})
    end

    for _ <- 1..4 do
      {:ok, _} = Task.Supervisor.start_child(BvExApp.Tasks, fn -> Process.sleep(:infinity) end)
    end

    for i <- 1..40 do
      sup = {:via, PartitionSupervisor, {BvExApp.Shards, i}}
      {:ok, _} = DynamicSupervisor.start_child(sup, {Agent, fn -> i end})
    end

    {:ok, top}
  end

  defp pools do
    for p <- 1..4 do
      workers = for w <- 1..60, do: Supervisor.child_spec({BvExApp.Worker, w}, id: {:worker, w})

      %{
        id: {:pool, p},
        start: {Supervisor, :start_link, [workers, [strategy: :one_for_one]]},
        type: :supervisor
      }
    end
  end

  # The node's own walk: from the top supervisor the application master knows,
  # descend into every child whose spec says :supervisor. Master, start helper and
  # every pid of the tree, sorted, as "<0.1.2>" strings joined by spaces.
  def own_walk(app) do
    master = :application_controller.get_master(app)
    {top, _} = :application_master.get_child(master)
    {:links, ml} = Process.info(master, :links)

    [helper] =
      for l <- ml, is_pid(l),
          Process.info(l, :initial_call) == {:initial_call, {:application_master, :start_it, 4}},
          do: l

    {:links, hl} = Process.info(helper, :links)
    linked = for l <- hl, is_pid(l), l != master, l != top, do: l
    text([master, helper | linked] ++ walk(top))
  end

  def walk(sup) do
    kids =
      for {_, p, type, _} <- Supervisor.which_children(sup), is_pid(p) do
        if type == :supervisor, do: walk(p), else: [p]
      end

    [sup | List.flatten(kids)]
  end

  def sub_walk(sup), do: text(walk(GenServer.whereis(sup)))

  defp text(pids), do: pids |> Enum.uniq() |> Enum.sort() |> Enum.map_join(" ", &pid_text/1)
  defp pid_text(p), do: p |> :erlang.pid_to_list() |> List.to_string()
end

defmodule BvExApp.Session do
  use GenServer
  def start_link(name), do: GenServer.start_link(__MODULE__, :ok, name: name)
  @impl true
  def init(:ok), do: {:ok, %{}}
end

defmodule BvExApp.Worker do
  use GenServer
  def start_link(n), do: GenServer.start_link(__MODULE__, n)
  @impl true
  def init(n), do: {:ok, n}
end
